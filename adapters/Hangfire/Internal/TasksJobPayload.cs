namespace Tasks.Hangfire.Internal;

/// <summary>
/// The envelope a Tasks job carries as its last argument, and the result it returns on success, each stored without
/// what the job already holds elsewhere (task name, task id and arguments are the job's other arguments; the job id is
/// the job's own). Hangfire keeps every argument twice in a job's row, escaped at each level, so each repeated character
/// is stored several times over; leaving the repeats out keeps inserts, fetches and Succeeded states smaller.
/// </summary>
internal static class TasksJobPayload
{
    /// <summary>The envelope argument of the job of <paramref name="envelope"/>.</summary>
    public static string Envelope(TaskEnvelope envelope) =>
        TaskJson.Serialize(envelope with { Id = string.Empty, TaskName = string.Empty, Arguments = string.Empty });

    /// <summary>The task envelope a job's four arguments make up.</summary>
    /// <exception cref="TaskPayloadException">The envelope is not one, or names another task than <paramref name="taskId"/>.</exception>
    public static TaskEnvelope ReadEnvelope(string taskName, string taskId, string arguments, string envelope)
    {
        var e = TaskJson.DeserializeEnvelope(envelope);
        if (e.Id.Length > 0 && e.Id != taskId)
        {
            throw new TaskPayloadException($"The job names task '{taskId}' but carries the envelope of task '{e.Id}'.");
        }

        return e with { Id = taskId, TaskName = taskName, Arguments = arguments };
    }

    /// <summary>The return value of the job of a task that succeeded: its result, which Hangfire keeps in the Succeeded state.</summary>
    public static string Result(TaskResult result) =>
        TaskJson.Serialize(result with { Id = string.Empty, TaskName = string.Empty, Arguments = string.Empty, EngineId = null });

    /// <summary>The task's result from the value its job returned.</summary>
    /// <exception cref="TaskPayloadException">The value is not a task result.</exception>
    public static TaskResult ReadResult(string result, TaskEnvelope envelope, string jobId) =>
        TaskJson.DeserializeResult(result) with { Id = envelope.Id, TaskName = envelope.TaskName, Arguments = envelope.Arguments, EngineId = jobId };
}
