namespace Tasks;

/// <summary>Runs a task that takes <typeparamref name="TArgs"/> and returns <typeparamref name="TResult"/>, stored as the task's return value.</summary>
/// <typeparam name="TArgs">The task's arguments.</typeparam>
/// <typeparam name="TResult">The return value; must round-trip through the task serializer.</typeparam>
public interface ITaskHandler<in TArgs, TResult>
{
    /// <summary>Does the work of one attempt and returns its value.</summary>
    /// <param name="args">The arguments the task was enqueued with.</param>
    /// <param name="context">Which task and attempt this is.</param>
    /// <param name="cancellationToken">Signalled on timeout or when the worker must stop.</param>
    Task<TResult> HandleAsync(TArgs args, TaskContext context, CancellationToken cancellationToken);
}
