namespace Tasks;

/// <summary>No task with this id exists (or the id is malformed).</summary>
public sealed class TaskNotFoundException : TaskException
{
    /// <summary>Creates the exception for <paramref name="taskId"/>.</summary>
    public TaskNotFoundException(string taskId, string? backend = null, string? reason = null)
        : base($"Task '{taskId}' does not exist{(backend is null ? "" : $" on backend '{backend}'")}{(reason is null ? "" : $": {reason}")}.")
    {
        TaskId = taskId;
    }

    /// <summary>The id that was asked for.</summary>
    public string TaskId { get; }
}
