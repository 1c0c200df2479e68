namespace Tasks;

/// <summary>No task is registered under the name (or for the argument type) asked for.</summary>
public sealed class UnknownTaskException : InvalidTaskException
{
    /// <summary>Creates the exception for <paramref name="taskName"/>.</summary>
    public UnknownTaskException(string taskName, string? detail = null)
        : base($"No task named '{taskName}' is registered{(detail is null ? "" : ": " + detail)}. Register it with AddTask<TArgs, THandler>(\"{taskName}\") in AddTasks(...).", "TaskName")
    {
        TaskName = taskName;
    }

    /// <summary>The name that was not found.</summary>
    public string TaskName { get; }
}
