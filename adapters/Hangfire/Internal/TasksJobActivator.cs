using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// The activator of a Tasks worker's Hangfire server: builds <see cref="TasksJob"/> with that worker's pipeline and
/// the Hangfire job id; any other job type that lands on a Tasks queue is resolved from the app's DI in a scope.
/// </summary>
internal sealed class TasksJobActivator(HangfireJobRunner runner, IServiceProvider services) : JobActivator
{
    public override JobActivatorScope BeginScope(PerformContext context) =>
        new Scope(runner, services, context.BackgroundJob.Id, Shutdown(context.CancellationToken));

    public override JobActivatorScope BeginScope(JobActivatorContext context) =>
        new Scope(runner, services, context.BackgroundJob.Id, Shutdown(context.CancellationToken));

    // The token Hangfire would pass to a job method's CancellationToken parameter (it fires at shutdown).
    private static CancellationToken Shutdown(IJobCancellationToken? token) => token?.ShutdownToken ?? CancellationToken.None;

    private sealed class Scope(HangfireJobRunner runner, IServiceProvider services, string jobId, CancellationToken shutdown) : JobActivatorScope
    {
        private AsyncServiceScope? _scope;

        public override object Resolve(Type type)
        {
            if (type == typeof(TasksJob))
            {
                return new TasksJob(runner, jobId, shutdown);
            }

            _scope ??= services.CreateAsyncScope();
            return ActivatorUtilities.GetServiceOrCreateInstance(_scope.Value.ServiceProvider, type);
        }

        public override void DisposeScope()
        {
            if (_scope is { } scope)
            {
                scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
