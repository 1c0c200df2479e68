using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tasks.Diagnostics;

/// <summary>
/// The library's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>; subscribe with
/// OpenTelemetry's <c>AddSource("Tasks")</c> and <c>AddMeter("Tasks")</c>.
/// </summary>
public sealed class TasksInstrumentation : IDisposable
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Tasks";

    private readonly Meter _meter;

    /// <summary>Creates the instrumentation; the meter comes from <paramref name="meterFactory"/> when there is one.</summary>
    public TasksInstrumentation(IMeterFactory? meterFactory = null)
    {
        var version = typeof(TasksInstrumentation).Assembly.GetName().Version?.ToString();
        ActivitySource = new ActivitySource(Name, version);
        _meter = meterFactory?.Create(Name, version) ?? new Meter(Name, version);
        Enqueued = _meter.CreateCounter<long>("tasks.enqueued", "{task}", "Tasks enqueued.");
        Started = _meter.CreateCounter<long>("tasks.started", "{attempt}", "Attempts started.");
        Succeeded = _meter.CreateCounter<long>("tasks.succeeded", "{task}", "Tasks that finished without error.");
        Failed = _meter.CreateCounter<long>("tasks.failed", "{task}", "Tasks that failed after their last attempt.");
        Retried = _meter.CreateCounter<long>("tasks.retried", "{attempt}", "Failed attempts scheduled for a retry.");
        Duration = _meter.CreateHistogram<double>("tasks.duration", "s", "Duration of one attempt.");
    }

    /// <summary>Spans: <c>enqueue {task}</c> (producer) and <c>execute {task}</c> (consumer, child of the enqueue).</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>Counter of enqueued tasks.</summary>
    public Counter<long> Enqueued { get; }

    /// <summary>Counter of started attempts.</summary>
    public Counter<long> Started { get; }

    /// <summary>Counter of succeeded tasks.</summary>
    public Counter<long> Succeeded { get; }

    /// <summary>Counter of finally failed tasks.</summary>
    public Counter<long> Failed { get; }

    /// <summary>Counter of retries scheduled.</summary>
    public Counter<long> Retried { get; }

    /// <summary>Histogram of attempt durations in seconds.</summary>
    public Histogram<double> Duration { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
