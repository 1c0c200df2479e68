using Tasks.Backends;
using Tasks.Conformance;

namespace Tasks.MassTransit.Tests;

/// <summary>
/// The MassTransit backend on MassTransit's in-memory transport. All hosts of a test share one transport and one result store,
/// as the threads of one process would; each test gets fresh ones.
/// </summary>
public sealed class MassTransitInMemoryFixture : TaskBackendFixture
{
    private MassTransitInMemoryTransport _transport = new();
    private InMemoryTaskResultStore _results = new();

    public override BackendTraits Traits { get; } = new()
    {
        InProcessOnlyReason = "MassTransit's in-memory transport keeps messages in the memory of one process; they end with it, as the README says.",
    };

    public override void AddBackend(TasksBuilder tasks)
    {
        var transport = _transport;
        var results = _results;
        tasks.AddMassTransitBackend(BackendAlias, o =>
        {
            o.Transport = MassTransitTransport.InMemory;
            o.InMemoryTransport = transport;
            o.ResultStore = results;
        });
    }

    public override async Task ResetAsync()
    {
        await _transport.DisposeAsync();
        _transport = new MassTransitInMemoryTransport();
        _results = new InMemoryTaskResultStore();
    }

    public override async Task DisposeAsync() => await _transport.DisposeAsync();
}
