using Microsoft.Extensions.DependencyInjection;

namespace Tasks.Execution;

/// <summary>Invokes an <see cref="ITaskHandler{TArgs}"/>.</summary>
internal sealed class HandlerInvoker<TArgs, THandler> : TaskInvoker
    where THandler : class, ITaskHandler<TArgs>
{
    public override async Task<object?> InvokeAsync(IServiceProvider scope, object? args, TaskContext context, CancellationToken cancellationToken)
    {
        var handler = scope.GetRequiredService<THandler>();
        await handler.HandleAsync((TArgs)args!, context, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
