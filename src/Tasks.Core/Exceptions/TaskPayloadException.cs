namespace Tasks;

/// <summary>Recorded as the error of a task whose stored payload could not be read by the worker; the task ends Failed.</summary>
public sealed class TaskPayloadException : TaskException
{
    /// <summary>Creates the exception.</summary>
    public TaskPayloadException(string message, Exception? innerException = null) : base(message, innerException) { }
}
