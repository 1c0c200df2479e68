namespace Tasks.MassTransit;

/// <summary>Which MassTransit transport a <see cref="MassTransitTaskBackend"/> moves tasks with.</summary>
public enum MassTransitTransport
{
    /// <summary>RabbitMQ (3.8 or later, no plugin needed): durable, shared between processes.</summary>
    RabbitMq,

    /// <summary>MassTransit's in-memory transport: one process only, nothing survives it (development and tests).</summary>
    InMemory,
}
