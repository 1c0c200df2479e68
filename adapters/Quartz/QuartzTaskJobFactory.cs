using Quartz;
using Quartz.Extensibility;

namespace Tasks.Quartz;

/// <summary>
/// Builds the task job bound to its host, so the job gets the Tasks pipeline from the application's container and not
/// from Quartz's: the job is stateless, so one instance serves every firing.
/// </summary>
internal sealed class QuartzTaskJobFactory(IQuartzTaskHost host) : IJobFactory
{
    private readonly QuartzTaskJob _job = new(host);

    /// <inheritdoc />
    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
        new(new JobScope(_job, null!));

    /// <inheritdoc />
    public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
