namespace Tasks;

/// <summary>A task's arguments (or return value) could not be serialized so that they round-trip; nothing was enqueued.</summary>
public sealed class TaskSerializationException : InvalidTaskException
{
    /// <summary>Creates the exception.</summary>
    public TaskSerializationException(string message, Exception? innerException = null)
        : base(message, "Arguments", null, innerException)
    {
    }
}
