namespace Tasks;

/// <summary>The base of every error the task library throws on purpose.</summary>
public class TaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskException(string message, Exception? innerException = null) : base(message, innerException) { }
}
