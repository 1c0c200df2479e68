namespace Tasks.Hangfire;

/// <summary>Which Hangfire job storage a <see cref="HangfireTaskBackend"/> creates.</summary>
public enum HangfireStorageKind
{
    /// <summary>Hangfire.PostgreSql on <see cref="HangfireTaskBackendOptions.ConnectionString"/> (durable, shared by processes).</summary>
    PostgreSql = 0,

    /// <summary>Hangfire.InMemory: embedded, in this process only; tasks end with the process.</summary>
    InMemory = 1,
}
