namespace Tasks;

/// <summary>Where a task is in its life. Named so it never clashes with <see cref="System.Threading.Tasks.TaskStatus"/>.</summary>
public enum TaskResultStatus
{
    /// <summary>Enqueued (or waiting for a retry or its run-after time) and not running.</summary>
    Ready = 0,

    /// <summary>A worker is running it.</summary>
    Running = 1,

    /// <summary>Finished without error; the return value, if any, is available.</summary>
    Succeeded = 2,

    /// <summary>Finished with an error after its last attempt.</summary>
    Failed = 3,

    /// <summary>Cancelled before it started; it will never run.</summary>
    Cancelled = 4,
}
