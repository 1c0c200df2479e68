namespace Tasks;

/// <summary>The backend cannot honour an option or operation; refused loudly rather than silently ignored.</summary>
public sealed class TaskNotSupportedException : InvalidTaskException
{
    /// <summary>Creates the exception for <paramref name="option"/> on <paramref name="backend"/>.</summary>
    public TaskNotSupportedException(string backend, string option, TaskBackendCapabilities missing)
        : base($"Backend '{backend}' does not support {option} (it lacks the {missing} capability).", option, backend)
    {
        Missing = missing;
    }

    /// <summary>The capability the backend lacks.</summary>
    public TaskBackendCapabilities Missing { get; }
}
