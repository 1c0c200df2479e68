using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The native Hangfire job of <see cref="HangfireRow"/>: tells the worker's counter it started, nothing else.</summary>
/// <param name="counter">The worker process's counter (the job activator passes it; no static state).</param>
public sealed class HangfireNoopJob(WorkCounter counter)
{
    /// <summary>The job method; <paramref name="sent"/> is the enqueue timestamp (0: none).</summary>
    public void Run(long sent) => counter.Started(sent);

    /// <summary>Builds <see cref="HangfireNoopJob"/>s with the worker's counter.</summary>
    public sealed class Activator(WorkCounter counter) : JobActivator
    {
        /// <inheritdoc />
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(HangfireNoopJob) ? new HangfireNoopJob(counter) : base.ActivateJob(jobType);
    }

    /// <summary>Counts a job as succeeded when Hangfire applies its Succeeded state (and as failed on Failed).</summary>
    public sealed class CountingFilter(WorkCounter counter) : IApplyStateFilter
    {
        /// <inheritdoc />
        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            switch (context.NewState)
            {
                case SucceededState:
                    counter.Succeeded();
                    break;
                case FailedState failed:
                    counter.Failed($"Hangfire job {context.BackgroundJob.Id} failed: {failed.Exception?.Message}");
                    break;
            }
        }

        /// <inheritdoc />
        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }
    }
}
