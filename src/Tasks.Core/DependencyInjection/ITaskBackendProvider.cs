namespace Tasks;

/// <summary>The backends configured in this application, by alias, created on first use.</summary>
public interface ITaskBackendProvider
{
    /// <summary>The alias used when a task and its enqueue name none.</summary>
    string DefaultAlias { get; }

    /// <summary>Every configured alias.</summary>
    IReadOnlyCollection<string> Aliases { get; }

    /// <summary>The backend with <paramref name="alias"/> (the default one for <see langword="null"/>).</summary>
    /// <exception cref="UnknownBackendException">No backend has that alias.</exception>
    ITaskBackend Get(string? alias = null);

    /// <summary>Creates (does not start) a worker for <see cref="TaskWorkerOptions.Backend"/>; empty queues become every registered task's queue plus <c>default</c>.</summary>
    /// <exception cref="TaskNotSupportedException">That backend cannot run workers in this process.</exception>
    ITaskWorker CreateWorker(TaskWorkerOptions options);
}
