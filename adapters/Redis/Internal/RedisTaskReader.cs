namespace Tasks.Redis.Internal;

/// <summary>
/// Reads a taken task. An envelope (or result) that cannot be read is never dropped and never blocks the worker: it is
/// moved to the dead-letter list and its result is marked Failed with a <see cref="TaskPayloadException"/>.
/// </summary>
internal static class RedisTaskReader
{
    /// <summary>The envelope and (if stored and readable) the result; <see langword="null"/> if the task was dead-lettered.</summary>
    public static async Task<(TaskEnvelope Envelope, TaskResult? Result)?> ReadAsync(RedisQueueClient client, RedisTakenTask item, string workerId)
    {
        TaskEnvelope? envelope = null;
        TaskResult? result = null;
        string? problem = null;
        try
        {
            envelope = TaskJson.DeserializeEnvelope(item.EnvelopeJson);
            if (envelope.Id != item.Id)
            {
                problem = $"the stored envelope is for task '{envelope.Id}', not '{item.Id}'";
            }
        }
        catch (TaskPayloadException ex)
        {
            problem = ex.Message;
        }

        if (item.ResultJson.Length > 0)
        {
            try
            {
                result = TaskJson.DeserializeResult(item.ResultJson);
            }
            catch (TaskPayloadException ex)
            {
                problem ??= ex.Message;
            }
        }

        if (problem is null)
        {
            // Never updated since the enqueue: its result is the envelope's Ready one.
            return (envelope!, result ?? TaskResult.ForEnqueued(envelope!, client.Backend));
        }

        await DeadLetterAsync(client, item, envelope, result, problem, workerId).ConfigureAwait(false);
        return null;
    }

    private static async Task DeadLetterAsync(RedisQueueClient client, RedisTakenTask item, TaskEnvelope? envelope, TaskResult? current, string problem, string workerId)
    {
        var now = client.Time.GetUtcNow();
        var error = new TaskPayloadException($"Task '{item.Id}' cannot be read from Redis and was moved to the dead-letter list '{client.DeadLetterKey}': {problem}");
        var taskError = new TaskError(Math.Max(current?.Attempts ?? 0, 1), typeof(TaskPayloadException).FullName!, error.Message, null, now);
        var failed = current is not null && current.Id == item.Id
            ? current with { Status = TaskResultStatus.Failed, Errors = [.. current.Errors, taskError], FinishedAt = now, Version = current.Version + 1 }
            : new TaskResult
            {
                Id = item.Id,
                TaskName = envelope?.TaskName ?? "(unreadable)",
                Backend = client.Backend,
                Queue = item.Queue,
                Priority = envelope?.Priority ?? 0,
                Status = TaskResultStatus.Failed,
                Arguments = envelope?.Arguments ?? "null",
                Errors = [taskError],
                MaxAttempts = envelope?.MaxAttempts ?? 1,
                EnqueuedAt = envelope?.EnqueuedAt ?? now,
                FinishedAt = now,
                Version = (current?.Version ?? 0) + 1,
            };
        var entry = new RedisDeadLetter(item.Id, item.Queue, problem, now, item.EnvelopeJson);
        try
        {
            await RedisRetry.RunAsync(() => client.DeadLetterAsync(item.Id, item.Token, entry, failed), client.Options.VisibilityTimeout, client.Time, CancellationToken.None).ConfigureAwait(false);
            RedisLog.DeadLettered(client.Logger, client.Backend, item.Id, item.Queue, problem, client.DeadLetterKey);
        }
        catch (Exception ex)
        {
            // Not renewed by anyone, so it is reaped and read again later.
            RedisLog.SettleFailed(client.Logger, ex, client.Backend, workerId, item.Id);
        }
    }
}
