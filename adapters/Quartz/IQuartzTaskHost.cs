using Quartz;

namespace Tasks.Quartz;

/// <summary>What runs a fired task trigger: a worker's scheduler (AdoNet) or the shared RAM scheduler.</summary>
internal interface IQuartzTaskHost
{
    /// <summary>Runs one firing through the Tasks pipeline and settles it.</summary>
    ValueTask RunAsync(IJobExecutionContext context, CancellationToken cancellationToken);
}
