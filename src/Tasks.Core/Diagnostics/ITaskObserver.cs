namespace Tasks;

/// <summary>
/// Completion hooks: told once each when a task is enqueued, starts an attempt and finishes. Register with
/// <c>TasksBuilder.AddObserver</c>. An observer that throws is logged and ignored; it never breaks a task.
/// </summary>
public interface ITaskObserver
{
    /// <summary>A task was enqueued (in the process that enqueued it).</summary>
    ValueTask OnEnqueuedAsync(TaskResult result, CancellationToken cancellationToken);

    /// <summary>An attempt started (in the worker's process).</summary>
    ValueTask OnStartedAsync(TaskResult result, CancellationToken cancellationToken);

    /// <summary>The task reached <see cref="TaskResultStatus.Succeeded"/> or <see cref="TaskResultStatus.Failed"/> (in the worker's process).</summary>
    ValueTask OnFinishedAsync(TaskResult result, CancellationToken cancellationToken);
}
