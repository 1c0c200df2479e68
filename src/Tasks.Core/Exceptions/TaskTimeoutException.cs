namespace Tasks;

/// <summary>Recorded as the error of an attempt that ran past its definition's timeout.</summary>
public sealed class TaskTimeoutException : TaskException
{
    /// <summary>Creates the exception.</summary>
    public TaskTimeoutException(string taskName, TimeSpan timeout)
        : base($"Task '{taskName}' ran longer than its timeout of {timeout} and was abandoned.")
    {
    }
}
