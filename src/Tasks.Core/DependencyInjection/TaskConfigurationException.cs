namespace Tasks;

/// <summary>The task configuration (code or <c>appsettings.json</c>) is wrong, e.g. a backend of an unknown type.</summary>
public sealed class TaskConfigurationException : TaskException
{
    /// <summary>Creates the exception.</summary>
    public TaskConfigurationException(string message, Exception? innerException = null) : base(message, innerException) { }
}
