using System.Collections.Concurrent;
using System.Globalization;

namespace Tasks.Conformance;

/// <summary>
/// Shared by every host of a fixture in this process: records handler executions and lifecycle events so tests can
/// see what ran, where, how often and in which order.
/// </summary>
public sealed class ConformanceProbe
{
    private readonly ConcurrentQueue<ConformanceExecution> _executions = new();
    private readonly ConcurrentQueue<(string Event, string TaskId)> _events = new();
    private long _sequence;

    /// <summary>Every execution so far, in order.</summary>
    public IReadOnlyList<ConformanceExecution> Executions => _executions.OrderBy(e => e.Sequence).ToArray();

    /// <summary>Every lifecycle event so far (<c>enqueued</c>, <c>started</c>, <c>finished</c>).</summary>
    public IReadOnlyList<(string Event, string TaskId)> Events => _events.ToArray();

    /// <summary>Notes that a handler started.</summary>
    public void Record(TaskContext context, string? label) =>
        _executions.Enqueue(new(context.TaskId, context.TaskName, label, context.WorkerId, context.Attempt, DateTimeOffset.UtcNow, Interlocked.Increment(ref _sequence), CultureInfo.CurrentCulture.Name));

    /// <summary>Notes a lifecycle event.</summary>
    public void RecordEvent(string name, string taskId) => _events.Enqueue((name, taskId));

    /// <summary>Executions of one task.</summary>
    public IReadOnlyList<ConformanceExecution> ExecutionsOf(string taskId) => Executions.Where(e => e.TaskId == taskId).ToArray();

    /// <summary>Forgets everything (between tests).</summary>
    public void Clear()
    {
        _executions.Clear();
        _events.Clear();
    }
}
