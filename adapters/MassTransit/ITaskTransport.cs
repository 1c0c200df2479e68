namespace Tasks.MassTransit;

/// <summary>What a <see cref="MassTransitTaskBackend"/> needs from a transport: send envelopes, make workers.</summary>
internal interface ITaskTransport : IAsyncDisposable
{
    TaskBackendCapabilities Capabilities { get; }

    /// <summary>Sends envelopes (delayed ones until their run-after), in order; <see cref="TaskBackendUnavailableException"/> if the broker cannot be reached.</summary>
    Task SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Connects the sending side and declares <paramref name="queues"/> now rather than at the first send.</summary>
    Task ConnectAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);

    ITaskWorker CreateWorker(MassTransitTaskBackend backend, TaskWorkerOptions options, IServiceProvider services);
}
