namespace Tasks;

/// <summary>An enqueue was refused because something about the task or its options is invalid; nothing was enqueued.</summary>
public class InvalidTaskException : TaskException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="option">The option at fault (e.g. <c>Priority</c>), if one is.</param>
    /// <param name="backend">The backend alias involved, if one is.</param>
    /// <param name="innerException">The cause, if any.</param>
    public InvalidTaskException(string message, string? option = null, string? backend = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Option = option;
        Backend = backend;
    }

    /// <summary>The option at fault, if one is.</summary>
    public string? Option { get; }

    /// <summary>The backend alias involved, if one is.</summary>
    public string? Backend { get; }
}
