using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Core.Tests.Support;
using Tasks.Diagnostics;

namespace Tasks.Core.Tests;

/// <summary>Spans and metrics of <see cref="TasksInstrumentation"/> ("Tasks" source and meter) through enqueue and execution.</summary>
public sealed class TasksInstrumentationTests
{
    private static TestHost Host(Action<TaskOptions>? work = null) => TestHost.Create(t =>
    {
        t.AddInMemoryBackend("mem");
        t.AddTask<Work, WorkHandler>("work", work);
    });

    /// <summary>Collects every stopped activity of the "Tasks" source (and of <paramref name="extraSource"/>).</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ActivityListener _listener;

        public SpanCollector(string? extraSource = null)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == TasksInstrumentation.Name || s.Name == extraSource,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => Stopped.Enqueue(a),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<Activity> Stopped { get; } = new();

        public Activity? Find(string operation, string taskId) =>
            Stopped.FirstOrDefault(a => a.OperationName.StartsWith(operation, StringComparison.Ordinal) && (string?)a.GetTagItem("task.id") == taskId);

        public async Task<Activity> WaitFor(string operation, string taskId)
        {
            Activity? found = null;
            await Eventually.TrueAsync(() => (found = Find(operation, taskId)) is not null, $"the '{operation}' span of {taskId}");
            return found!;
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task The_execute_span_is_a_child_of_the_enqueue_span_with_task_tags()
    {
        using var spans = new SpanCollector();
        await using var host = Host();
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("traced"));
        await host.WaitAsync(enqueued.Id);

        var enqueue = await spans.WaitFor("enqueue", enqueued.Id);
        var execute = await spans.WaitFor("execute", enqueued.Id);
        Assert.Equal("enqueue work", enqueue.DisplayName);
        Assert.Equal(ActivityKind.Producer, enqueue.Kind);
        Assert.Equal("execute work", execute.DisplayName);
        Assert.Equal(ActivityKind.Consumer, execute.Kind);
        Assert.Equal(enqueue.TraceId, execute.TraceId);
        Assert.Equal(enqueue.SpanId, execute.ParentSpanId);
        Assert.Equal("work", enqueue.GetTagItem("task.name"));
        Assert.Equal("mem", enqueue.GetTagItem("task.backend"));
        Assert.Equal("work", execute.GetTagItem("task.name"));
        Assert.Equal("default", execute.GetTagItem("task.queue"));
        Assert.Equal("mem", execute.GetTagItem("task.backend"));
        Assert.Equal(ActivityStatusCode.Ok, execute.Status);
    }

    [Fact]
    public async Task The_envelope_carries_the_enqueue_spans_traceparent()
    {
        using var spans = new SpanCollector();
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddTask<Work, WorkHandler>("work");
        });

        var enqueued = await host.Queue.EnqueueAsync(new Work("carried"));

        var enqueue = await spans.WaitFor("enqueue", enqueued.Id);
        var envelope = Assert.Single(host.Backend<Tasks.Backends.RecordingTaskBackend>("rec").Enqueued);
        Assert.Equal(enqueue.Id, envelope.TraceParent);
        Assert.StartsWith($"00-{enqueue.TraceId}-{enqueue.SpanId}-", envelope.TraceParent);
    }

    [Fact]
    public async Task The_enqueue_span_joins_the_callers_trace()
    {
        const string ambientSource = "Tasks.Core.Tests.Ambient";
        using var spans = new SpanCollector(ambientSource);
        using var source = new ActivitySource(ambientSource);
        await using var host = Host();
        await host.StartWorkerAsync();

        TaskResult enqueued;
        ActivityTraceId traceId;
        ActivitySpanId parentSpan;
        using (var request = source.StartActivity("request"))
        {
            Assert.NotNull(request);
            traceId = request.TraceId;
            parentSpan = request.SpanId;
            enqueued = await host.Queue.EnqueueAsync(new Work("in-request"));
        }

        await host.WaitAsync(enqueued.Id);
        var enqueue = await spans.WaitFor("enqueue", enqueued.Id);
        var execute = await spans.WaitFor("execute", enqueued.Id);
        Assert.Equal(traceId, enqueue.TraceId);
        Assert.Equal(parentSpan, enqueue.ParentSpanId);
        Assert.Equal(traceId, execute.TraceId);
    }

    [Fact]
    public async Task A_failed_attempt_marks_its_span_as_an_error()
    {
        using var spans = new SpanCollector();
        await using var host = Host();
        host.Probe.Behaviour = (_, _, _) => throw new BoomException("traced failure");
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("fails"));
        await host.WaitAsync(enqueued.Id);

        var execute = await spans.WaitFor("execute", enqueued.Id);
        Assert.Equal(ActivityStatusCode.Error, execute.Status);
        Assert.Equal("traced failure", execute.StatusDescription);
        Assert.Equal(typeof(BoomException).FullName, execute.GetTagItem("exception.type"));
    }

    [Fact]
    public async Task Every_retry_is_an_execute_span_in_the_same_trace()
    {
        using var spans = new SpanCollector();
        await using var host = Host(o =>
        {
            o.MaxAttempts = 2;
            o.Backoff = RetryBackoff.None;
        });
        host.Probe.Behaviour = (_, ctx, _) => ctx.Attempt == 1 ? throw new BoomException("once") : Task.CompletedTask;
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("retried"));
        await host.WaitAsync(enqueued.Id);

        var enqueue = await spans.WaitFor("enqueue", enqueued.Id);
        await Eventually.TrueAsync(() => spans.Stopped.Count(a => a.OperationName.StartsWith("execute") && (string?)a.GetTagItem("task.id") == enqueued.Id) == 2, "two execute spans");
        Assert.All(
            spans.Stopped.Where(a => (string?)a.GetTagItem("task.id") == enqueued.Id && a.OperationName.StartsWith("execute")),
            a => Assert.Equal((enqueue.TraceId, enqueue.SpanId), (a.TraceId, a.ParentSpanId)));
    }

    [Fact]
    public async Task Counters_count_enqueued_started_succeeded_failed_and_retried_with_task_tags()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<Work, WorkHandler>("work", o =>
            {
                o.MaxAttempts = 2;
                o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMilliseconds(10));
            });
        });
        var instrumentation = host.Services.GetRequiredService<TasksInstrumentation>();
        var totals = new ConcurrentDictionary<string, long>();
        var durations = new ConcurrentQueue<double>();
        var badTags = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, instrumentation.Enqueued.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(x => x.Key, x => x.Value);
            if (!Equals(t.GetValueOrDefault("task.name"), "work") || !Equals(t.GetValueOrDefault("task.backend"), "mem") || !Equals(t.GetValueOrDefault("task.queue"), "default"))
            {
                badTags.Enqueue(instrument.Name);
            }

            totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "tasks.duration")
            {
                durations.Enqueue(value);
            }
        });
        listener.Start();
        host.Probe.Behaviour = (w, _, _) => w.Label == "bad" ? throw new BoomException("always") : Task.CompletedTask;
        await host.StartWorkerAsync();

        var good = await host.Queue.EnqueueAsync(new Work("good"));
        var bad = await host.Queue.EnqueueAsync(new Work("bad"));
        await host.WaitAsync(good.Id);
        await host.WaitAsync(bad.Id);

        long Total(string name) => totals.GetValueOrDefault(name);
        await Eventually.TrueAsync(() => Total("tasks.succeeded") == 1 && Total("tasks.failed") == 1, "the final counters");
        Assert.Equal(2, Total("tasks.enqueued"));
        Assert.Equal(3, Total("tasks.started"));
        Assert.Equal(1, Total("tasks.succeeded"));
        Assert.Equal(1, Total("tasks.failed"));
        Assert.Equal(1, Total("tasks.retried"));
        Assert.Equal(3, durations.Count);
        Assert.All(durations, d => Assert.True(d >= 0));
        Assert.Empty(badTags);
    }

    [Fact]
    public void Instruments_have_the_documented_names_and_units()
    {
        using var instrumentation = new TasksInstrumentation();

        Assert.Equal("Tasks", instrumentation.ActivitySource.Name);
        Assert.Equal("Tasks", instrumentation.Enqueued.Meter.Name);
        Assert.Equal(
            [("tasks.enqueued", "{task}"), ("tasks.started", "{attempt}"), ("tasks.succeeded", "{task}"), ("tasks.failed", "{task}"), ("tasks.retried", "{attempt}"), ("tasks.duration", "s")],
            new Instrument[] { instrumentation.Enqueued, instrumentation.Started, instrumentation.Succeeded, instrumentation.Failed, instrumentation.Retried, instrumentation.Duration }.Select(i => (i.Name, i.Unit)));
    }
}
