namespace Tasks.MassTransit;

/// <summary>Where a <see cref="MassTransitTaskBackend"/> keeps task results (MassTransit itself keeps none).</summary>
public enum MassTransitResultStore
{
    /// <summary>PostgreSQL (<c>Tasks.PostgreSql</c>): durable and readable from every process. Needs <see cref="MassTransitTaskBackendOptions.ResultsConnectionString"/>.</summary>
    PostgreSql,

    /// <summary>This process's memory: only with the in-memory transport.</summary>
    InMemory,
}
