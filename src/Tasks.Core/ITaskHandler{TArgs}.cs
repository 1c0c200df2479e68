namespace Tasks;

/// <summary>Runs a task that takes <typeparamref name="TArgs"/> and returns nothing. Resolved from a DI scope per attempt.</summary>
/// <typeparam name="TArgs">The task's arguments; must round-trip through the task serializer (JSON by default).</typeparam>
public interface ITaskHandler<in TArgs>
{
    /// <summary>Does the work of one attempt.</summary>
    /// <param name="args">The arguments the task was enqueued with.</param>
    /// <param name="context">Which task and attempt this is.</param>
    /// <param name="cancellationToken">Signalled on timeout or when the worker must stop.</param>
    Task HandleAsync(TArgs args, TaskContext context, CancellationToken cancellationToken);
}
