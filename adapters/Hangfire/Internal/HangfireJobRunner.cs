using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Tasks.Execution;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Runs a delivered Hangfire job through the shared <see cref="TaskExecutor"/> and maps its disposition onto
/// Hangfire states: success or skip returns (Succeeded); a retry moves this same job to Scheduled at the backoff
/// time; a final failure throws so the dashboard lists it as Failed; an interrupted attempt throws the shutdown
/// cancellation so Hangfire puts the job back in its queue.
/// </summary>
internal sealed class HangfireJobRunner(TaskExecutor executor, TaskExecutionContext context, IBackgroundJobClient client, ILogger logger, TimeProvider time)
{
    /// <summary>Pause before a job that hit a storage error runs again.</summary>
    internal static readonly TimeSpan InfrastructureRetryDelay = TimeSpan.FromSeconds(5);

    public string WorkerId => context.WorkerId;

    public async Task RunAsync(string jobId, string taskName, string arguments, string envelopeJson, CancellationToken cancellationToken)
    {
        TaskEnvelope envelope;
        try
        {
            envelope = TaskJson.DeserializeEnvelope(envelopeJson) with { TaskName = taskName, Arguments = arguments };
        }
        catch (TaskPayloadException ex)
        {
            // Without an envelope there is no task id to record anything against: let Hangfire show the failure.
            HangfireLog.BadEnvelope(logger, ex, jobId);
            throw;
        }

        TaskExecutionOutcome outcome;
        try
        {
            // Most runs are first runs, whose result is still the one the enqueue wrote: the pipeline records the attempt
            // against it without reading it first (a compare-and-set, so a retry or a cancelled task is still caught).
            var asEnqueued = TaskResult.ForEnqueued(envelope, context.Backend) with { EngineId = jobId };
            outcome = await executor.ExecuteAsync(envelope, context, asEnqueued, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The result store failed (not the task): run the job again later instead of failing it for good.
            var at = time.GetUtcNow() + InfrastructureRetryDelay;
            HangfireLog.Rescheduled(logger, ex, jobId, taskName, at);
            if (!Reschedule(jobId, at, $"Tasks: storage error, the task runs again: {ex.Message}"))
            {
                throw;
            }

            return;
        }

        switch (outcome.Disposition)
        {
            case TaskExecutionDisposition.Retry:
                var retry = outcome.Retry!;
                var last = outcome.Result?.Errors.LastOrDefault();
                Reschedule(jobId, retry.RunAfter ?? time.GetUtcNow(), $"Tasks retry: attempt {retry.Attempt} of {retry.MaxAttempts} after {last?.ExceptionType}: {last?.Message}");
                return;
            case TaskExecutionDisposition.Abandoned:
                // Hangfire re-queues a job whose method ends with the shutdown token's cancellation.
                throw new OperationCanceledException("The worker stopped during the attempt; the task goes back to its queue.", cancellationToken);
            case TaskExecutionDisposition.Completed when outcome.Result is { Status: TaskResultStatus.Failed } failed:
                throw new HangfireTaskFailedException(failed);
            default:
                return;
        }
    }

    /// <summary>Moves this job (still Processing) to Scheduled; Hangfire then ignores the Succeeded state the worker proposes after the method returns.</summary>
    private bool Reschedule(string jobId, DateTimeOffset at, string reason) =>
        client.ChangeState(jobId, new ScheduledState(HangfireTaskBackend.ScheduleTime(at)) { Reason = reason }, ProcessingState.StateName);
}
