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

        await RabbitMqTestEntities.DeleteAsync(Prefix, ["default"]);
        await Connection.DisposeAsync();
    }

    protected AdapterHost Host(Action<MassTransitTaskBackendOptions>? configure = null)
    {
        var host = AdapterHost.Create(tasks => tasks.AddMassTransitBackend("main", o =>
        {
            o.ConnectionString = TestServers.RabbitMq;
            o.QueuePrefix = Prefix;
            o.ResultStore = Results;
            configure?.Invoke(o);
        }).UseDefaultBackend("main"));
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
