using System.Globalization;
using Quartz;
using Quartz.Extensibility;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>The native Quartz job of <see cref="QuartzRow"/>: tells the worker's counter it started, nothing else.</summary>
/// <param name="counter">The worker process's counter (the job factory passes it; no static state).</param>
public sealed class QuartzNoopJob(WorkCounter counter) : IJob
{
    /// <summary>Job-data key of the enqueue timestamp (a string: the store keeps job data as strings).</summary>
    public const string SentKey = "sent";

    /// <inheritdoc />
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        counter.Started(long.Parse(context.MergedJobDataMap.GetString(SentKey) ?? "0", CultureInfo.InvariantCulture));
        return ValueTask.CompletedTask;
    }

    /// <summary>Builds the job with the worker's counter, as an application's job factory would inject a dependency.</summary>
    public sealed class Factory(WorkCounter counter) : IJobFactory
    {
        private readonly QuartzNoopJob _job = new(counter);

        /// <inheritdoc />
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            new(new JobScope(_job, null!));

        /// <inheritdoc />
        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>Counts a job as succeeded once Quartz reports it executed without an exception (and as failed otherwise).</summary>
    public sealed class CountingListener(WorkCounter counter) : IJobListener
    {
        /// <inheritdoc />
        public string Name => "bench-counter";

        /// <inheritdoc />
        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        /// <inheritdoc />
        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        /// <inheritdoc />
        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (jobException is null)
            {
                counter.Succeeded();
            }
            else
            {
                counter.Failed($"Quartz job {context.JobDetail.Key} failed: {jobException.Message}");
            }

            return ValueTask.CompletedTask;
        }

        /// <inheritdoc />
        public ValueTask JobProgressChanged(IJobExecutionContext context, FireInstanceProgress progress, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
