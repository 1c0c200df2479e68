namespace Tasks;

/// <summary>The settings a task definition starts from; set them in <c>AddTask(..., o =&gt; ...)</c>.</summary>
public sealed class TaskOptions
{
    /// <summary>The name of the default queue.</summary>
    public const string DefaultQueue = "default";

    /// <summary>Queue the task is enqueued on unless an enqueue overrides it.</summary>
    public string Queue { get; set; } = DefaultQueue;

    /// <summary>Priority, <see cref="TaskPriority.Min"/>..<see cref="TaskPriority.Max"/>; larger runs sooner.</summary>
    public int Priority { get; set; } = TaskPriority.Default;

    /// <summary>Backend alias; <see langword="null"/> means the application's default backend.</summary>
    public string? Backend { get; set; }

    /// <summary>How many times the task may run in all (1 = no retry).</summary>
    public int MaxAttempts { get; set; } = 1;

    /// <summary>Delay between attempts.</summary>
    public RetryBackoff Backoff { get; set; } = RetryBackoff.Default;

    /// <summary>How long one attempt may run before it fails with <see cref="TaskTimeoutException"/>; <see langword="null"/> for no limit.</summary>
    public TimeSpan? Timeout { get; set; }
}
