namespace Tasks.Conformance.ConformanceTasks;

/// <summary>The names of the tasks the suite registers, and their settings.</summary>
public static class ConformanceTaskNames
{
    /// <summary>Echo: returns its <see cref="EchoPayload"/>.</summary>
    public const string Echo = "conformance.echo";

    /// <summary>Record: notes a label.</summary>
    public const string Record = "conformance.record";

    /// <summary>Fails on every attempt; one attempt only.</summary>
    public const string FailOnce = "conformance.fail";

    /// <summary>Fails its first attempts; 3 attempts, <see cref="RetryDelay"/> apart.</summary>
    public const string Retry = "conformance.retry";

    /// <summary>Sleeps; no timeout.</summary>
    public const string Sleep = "conformance.sleep";

    /// <summary>Sleeps; times out after <see cref="Timeout"/>.</summary>
    public const string Timeout = "conformance.timeout";

    /// <summary>Hangs on attempt 1, succeeds later (crash test).</summary>
    public const string Hang = "conformance.hang";

    /// <summary>Takes <see cref="CyclicArgs"/>.</summary>
    public const string Cyclic = "conformance.cyclic";

    /// <summary>Attempts of <see cref="Retry"/>.</summary>
    public const int RetryAttempts = 3;

    /// <summary>Backoff of <see cref="Retry"/>.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(400);

    /// <summary>Time limit of <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan TimeoutLimit = TimeSpan.FromMilliseconds(300);

    /// <summary>Registers every conformance task.</summary>
    public static TasksBuilder AddConformanceTasks(this TasksBuilder tasks) => tasks
        .AddTask<EchoPayload, EchoPayload, EchoHandler>(Echo)
        .AddTask<RecordArgs, string, RecordHandler>(Record)
        .AddTask<FailArgs, int, FailHandler>(FailOnce)
        .AddTask<FailArgs, int, FailHandler>(Retry, o => { o.MaxAttempts = RetryAttempts; o.Backoff = RetryBackoff.Fixed(RetryDelay); })
        .AddTask<SleepArgs, int, SleepHandler>(Sleep)
        .AddTask<SleepArgs, int, SleepHandler>(Timeout, o => o.Timeout = TimeoutLimit)
        .AddTask<HangArgs, int, HangOnFirstAttemptHandler>(Hang)
        .AddTask<CyclicArgs, CyclicHandler>(Cyclic);
}
