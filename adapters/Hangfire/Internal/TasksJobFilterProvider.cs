using Hangfire;
using Hangfire.Common;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// The app's Hangfire filters, minus every <see cref="AutomaticRetryAttribute"/> on Tasks jobs: the Tasks pipeline
/// owns retries, so a global AutomaticRetry (Hangfire adds one with 10 attempts by default, and an app may add its own
/// with any order) must never run a failed Tasks job again. Unless <paramref name="captureCulture"/>, Tasks jobs also
/// lose <see cref="CaptureCultureAttribute"/>: a task runs in its worker's culture, as on other Tasks backends. Tasks
/// jobs also get the backend's <see cref="EnqueueCommitHook"/> and <see cref="RecoveredJobs"/>. Other jobs get the
/// filters unchanged.
/// </summary>
internal sealed class TasksJobFilterProvider(IJobFilterProvider inner, bool captureCulture, EnqueueCommitHook commitHook, RecoveredJobs recovered) : IJobFilterProvider
{
    private readonly JobFilter _commitHook = new(commitHook, JobFilterScope.Global, order: null);
    private readonly JobFilter _recovered = new(recovered, JobFilterScope.Global, order: null);

    public IEnumerable<JobFilter> GetFilters(Job job)
    {
        var filters = inner.GetFilters(job);
        return job?.Type == typeof(TasksJob) ? filters.Where(KeepForTasks).Prepend(_recovered).Prepend(_commitHook) : filters;
    }

    private bool KeepForTasks(JobFilter filter) => filter.Instance switch
    {
        AutomaticRetryAttribute => false,
        CaptureCultureAttribute => captureCulture,
        _ => true,
    };
}
