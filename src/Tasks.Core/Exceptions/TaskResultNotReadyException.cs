namespace Tasks;

/// <summary>The return value was read before the task succeeded.</summary>
public sealed class TaskResultNotReadyException : TaskException
{
    /// <summary>Creates the exception for task <paramref name="taskId"/> in <paramref name="status"/>.</summary>
    public TaskResultNotReadyException(string taskId, TaskResultStatus status)
        : base($"Task '{taskId}' has no return value: its status is {status}, and a value exists only once it is {TaskResultStatus.Succeeded}.")
    {
        Status = status;
    }

    /// <summary>The task's status when the value was asked for.</summary>
    public TaskResultStatus Status { get; }
}
