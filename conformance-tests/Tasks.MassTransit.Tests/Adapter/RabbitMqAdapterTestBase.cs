using RabbitMQ.Client;
using Tasks.Backends;

namespace Tasks.MassTransit.Tests;

/// <summary>
/// Adapter tests on the real RabbitMQ: each test class gets its own queue prefix (deleted afterwards) and keeps results in a
/// shared in-memory store (client and worker are one process here), so only RabbitMQ is exercised.
/// </summary>
public abstract class RabbitMqAdapterTestBase : IAsyncLifetime
{
    private readonly List<AdapterHost> _hosts = [];
    private string? _schema;

    protected string Prefix { get; } = $"tat-mt-{Guid.NewGuid():N}"[..16];

    protected InMemoryTaskResultStore Results { get; } = new();

    protected IConnection Connection { get; private set; } = null!;

    protected string TaskQueue => $"{Prefix}-default";

    public async Task InitializeAsync() => Connection = await TestServers.ConnectRabbitMqAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await RabbitMqTestEntities.DeleteAsync(Prefix, Queues);
        await Connection.DisposeAsync();
        if (_schema is not null)
        {
            await TestServers.DropSchemaAsync(_schema);
        }
    }

    /// <summary>The Tasks queues the test class uses (their RabbitMQ entities are deleted afterwards).</summary>
    protected virtual string[] Queues => ["default"];

    /// <summary>Keeps results in PostgreSQL instead (a schema of this test class, dropped afterwards), as production does.</summary>
    protected void UsePostgresResults(MassTransitTaskBackendOptions o)
    {
        _schema ??= $"mt_{Guid.NewGuid():N}"[..15];
        o.ResultStore = null;
        o.Results = MassTransitResultStore.PostgreSql;
        o.ResultsConnectionString = TestServers.Postgres;
        o.ResultsSchema = _schema;
    }

    protected AdapterHost Host(Action<MassTransitTaskBackendOptions>? configure = null, Action<TasksBuilder>? tasks = null)
    {
        var host = AdapterHost.Create(t =>
        {
            t.AddMassTransitBackend("main", o =>
            {
                o.ConnectionString = TestServers.RabbitMq;
                o.QueuePrefix = Prefix;
                o.ResultStore = Results;
                configure?.Invoke(o);
            }).UseDefaultBackend("main");
            tasks?.Invoke(t);
        });
        _hosts.Add(host);
        return host;
    }

    /// <summary>Messages ready in <paramref name="queue"/>; <see langword="null"/> if it does not exist.</summary>
    protected async Task<uint?> MessageCountAsync(string queue)
    {
        await using var channel = await Connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
