namespace Tasks;

/// <summary>The backend's server could not be reached; the operation did not happen (an enqueue was not made).</summary>
public sealed class TaskBackendUnavailableException : TaskException
{
    /// <summary>Creates the exception for <paramref name="backend"/>.</summary>
    public TaskBackendUnavailableException(string backend, string operation, Exception innerException)
        : base($"Backend '{backend}' is unavailable; {operation} did not happen: {innerException.Message}", innerException)
    {
        Backend = backend;
    }

    /// <summary>The backend alias.</summary>
    public string Backend { get; }
}
