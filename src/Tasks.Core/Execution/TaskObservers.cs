using Microsoft.Extensions.Logging;
using Tasks.Diagnostics;

namespace Tasks.Execution;

/// <summary>Calls every registered <see cref="ITaskObserver"/>, isolating the pipeline from their failures.</summary>
internal sealed class TaskObservers(IEnumerable<ITaskObserver> observers, ILogger<TaskObservers> logger)
{
    private readonly ITaskObserver[] _observers = observers.ToArray();

    public ValueTask EnqueuedAsync(TaskResult r, CancellationToken ct) => NotifyAsync(r, ct, static (o, r, ct) => o.OnEnqueuedAsync(r, ct));

    public ValueTask StartedAsync(TaskResult r, CancellationToken ct) => NotifyAsync(r, ct, static (o, r, ct) => o.OnStartedAsync(r, ct));

    public ValueTask FinishedAsync(TaskResult r, CancellationToken ct) => NotifyAsync(r, ct, static (o, r, ct) => o.OnFinishedAsync(r, ct));

    private async ValueTask NotifyAsync(TaskResult r, CancellationToken ct, Func<ITaskObserver, TaskResult, CancellationToken, ValueTask> call)
    {
        foreach (var o in _observers)
        {
            try
            {
                await call(o, r, ct).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                TasksLog.ObserverFailed(logger, ex, o.GetType().Name);
            }
        }
    }
}
