using System.Text.Json;
using Hangfire.States;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// A task's result as Hangfire's own data tells it (PostgreSQL storage): the job's arguments give the task as enqueued,
/// its current state the status (Enqueued or Scheduled: Ready; Processing: Running; Succeeded: the result the job
/// returned; Deleted: Cancelled; Failed), and the adapter's row, written only when there is more to tell (a retry's
/// errors, a long task's Running record, a failure), the attempts so far.
/// </summary>
internal static class HangfireJobResult
{
    /// <summary>The key of a Succeeded state's data that holds the job's return value.</summary>
    internal const string ResultKey = "Result";

    /// <summary>The reason of the Deleted state of a task's job when the task was removed before it started (moved to another backend): the task is gone from this backend.</summary>
    internal const string RemovedReason = "Tasks: removed before it started (e.g. moved to another backend)";

    /// <summary>The reason of the Deleted state of a job whose enqueue failed: the caller was told the task was not enqueued.</summary>
    internal const string EnqueueUndoneReason = "Tasks: the enqueue failed, so the task was not enqueued";

    /// <summary>
    /// The result of a task from its Hangfire job and row. <paramref name="arguments"/> is the job's <c>arguments</c>
    /// column (a JSON array of JSON-serialized arguments), <see langword="null"/> when no job was found. A job without a
    /// state, or deleted because its task was removed or its enqueue failed, stands for no task (<see langword="null"/>).
    /// </summary>
    public static TaskResult? From(string backend, string? jobId, string? stateName, string? stateReason, string? arguments, string? stateData, DateTimeOffset? stateCreatedAt, TaskResult? row)
    {
        if (stateName == DeletedState.StateName && stateReason is RemovedReason or EnqueueUndoneReason)
        {
            return null;
        }

        // A job without a state was never enqueued: its creation is under way, or its first state's commit failed (and the
        // enqueue told its caller so).
        if (jobId is null || arguments is null || stateName is null || !TryReadEnvelope(arguments, out var envelope))
        {
            return row;
        }

        var enqueued = (row ?? TaskResult.ForEnqueued(envelope, backend)) with { EngineId = jobId };
        var at = stateCreatedAt ?? DateTimeOffset.UtcNow;
        if (stateName == SucceededState.StateName)
        {
            // Hangfire keeps the return value JSON-serialized: the result's JSON inside a JSON string.
            if (ReadStrings(stateData).TryGetValue(ResultKey, out var value) && JsonSerializer.Deserialize<string>(value) is { } json)
            {
                return TasksJobPayload.ReadResult(json, envelope, jobId);
            }

            // A run that skipped the task (it had finished already) returns nothing: the row tells.
            return row is { IsFinished: true } ? enqueued : enqueued with { Status = TaskResultStatus.Succeeded, FinishedAt = at };
        }

        if (stateName == DeletedState.StateName)
        {
            return row is { IsFinished: true } ? enqueued : enqueued with { Status = TaskResultStatus.Cancelled, FinishedAt = at, Version = enqueued.Version + 1 };
        }

        if (stateName == FailedState.StateName)
        {
            if (row is { Status: TaskResultStatus.Failed })
            {
                return enqueued;
            }

            // Failed by Hangfire itself (e.g. a job it could not run): its error is the task's.
            var data = ReadStrings(stateData);
            var error = new TaskError(Math.Max(enqueued.Attempts, 1), data.GetValueOrDefault("ExceptionType") ?? "Hangfire.Failed", data.GetValueOrDefault("ExceptionMessage") ?? "The Hangfire job failed.", data.GetValueOrDefault("ExceptionDetails"), at);
            return enqueued with { Status = TaskResultStatus.Failed, Errors = [.. enqueued.Errors, error], FinishedAt = at, Version = enqueued.Version + 1 };
        }

        if (stateName == ProcessingState.StateName && enqueued.Status == TaskResultStatus.Ready)
        {
            // Started, and not yet running long enough for its Running record (or a retry's next attempt).
            return enqueued with
            {
                Status = TaskResultStatus.Running,
                Attempts = enqueued.Attempts + 1,
                StartedAt = enqueued.StartedAt ?? at,
                LastAttemptedAt = at,
            };
        }

        return enqueued;
    }

    /// <summary>The task envelope held in a Tasks job's arguments (task name, id, arguments, the rest of the envelope).</summary>
    public static bool TryReadEnvelope(string arguments, out TaskEnvelope envelope)
    {
        envelope = null!;
        try
        {
            using var doc = JsonDocument.Parse(arguments);
            var args = doc.RootElement;
            if (args.ValueKind != JsonValueKind.Array || args.GetArrayLength() < 4 || Unwrap(args[0]) is not { } name ||
                Unwrap(args[1]) is not { } taskId || Unwrap(args[2]) is not { } taskArguments || Unwrap(args[3]) is not { } meta)
            {
                return false;
            }

            envelope = TasksJobPayload.ReadEnvelope(name, taskId, taskArguments, meta);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or TaskPayloadException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The value Hangfire stores for a string argument of a job (its JSON form), as the task id index reads it.</summary>
    public static string StoredArgument(string value) => JsonSerializer.Serialize(value);

    // Hangfire stores each argument JSON-serialized, inside the JSON array: a string argument is a JSON string in a string.
    private static string? Unwrap(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { } json ? JsonSerializer.Deserialize<string>(json) : null;

    /// <summary>The string values of a state's data (Hangfire keeps every value as a string), read once.</summary>
    private static Dictionary<string, string> ReadStrings(string? data)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data is null)
        {
            return values;
        }

        using var doc = JsonDocument.Parse(data);
        if (doc.RootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    values[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return values;
    }
}
