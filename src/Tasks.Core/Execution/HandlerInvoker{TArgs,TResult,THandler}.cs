using Microsoft.Extensions.DependencyInjection;

namespace Tasks.Execution;

/// <summary>Invokes an <see cref="ITaskHandler{TArgs, TResult}"/> and returns its value.</summary>
internal sealed class HandlerInvoker<TArgs, TResult, THandler> : TaskInvoker
    where THandler : class, ITaskHandler<TArgs, TResult>
{
    public override async Task<object?> InvokeAsync(IServiceProvider scope, object? args, TaskContext context, CancellationToken cancellationToken)
    {
        var handler = scope.GetRequiredService<THandler>();
        return await handler.HandleAsync((TArgs)args!, context, cancellationToken).ConfigureAwait(false);
    }
}
