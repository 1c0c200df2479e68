namespace Tasks.Execution;

/// <summary>Calls a definition's handler without reflection at run time: one closed generic per registered task.</summary>
internal abstract class TaskInvoker
{
    public abstract Task<object?> InvokeAsync(IServiceProvider scope, object? args, TaskContext context, CancellationToken cancellationToken);
}
