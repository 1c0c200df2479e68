namespace Tasks.Hangfire.Internal;

/// <summary>Runs a one-time initialization on first use; a failed attempt (e.g. database down) is tried again on the next use instead of being cached.</summary>
internal sealed class RetryingInitializer(Func<Task> initialize)
{
    private readonly object _gate = new();
    private Task? _task;

    public Task EnsureAsync()
    {
        var current = Volatile.Read(ref _task);
        if (current is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                _task = initialize();
            }

            return _task;
        }
    }
}
