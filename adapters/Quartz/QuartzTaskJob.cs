using Quartz;

namespace Tasks.Quartz;

/// <summary>The one Quartz job of every task: hands the firing to the host that owns the scheduler.</summary>
internal sealed class QuartzTaskJob(IQuartzTaskHost host) : IJob
{
    /// <inheritdoc />
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => host.RunAsync(context, cancellationToken);
}
