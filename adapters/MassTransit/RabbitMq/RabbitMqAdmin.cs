using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>
/// Declares what MassTransit's send topology cannot: task queues as priority queues (so a producer can create them with the
/// same arguments as the worker's receive endpoint) and the run-after delay topology. One lazily opened RabbitMQ.Client
/// connection per backend; each entity is declared once per process and cached.
/// </summary>
internal sealed class RabbitMqAdmin : IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly RabbitMqTopology _topology;
    private readonly string _alias;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, bool> _queues = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _channel;
    private volatile bool _delayReady;

    public RabbitMqAdmin(RabbitMqConnectionSettings settings, RabbitMqTopology topology, string alias, TimeSpan connectTimeout, ILogger logger)
    {
        _factory = settings.CreateFactory(connectTimeout);
        _factory.ClientProvidedName = $"tasks-topology {alias}";
        _topology = topology;
        _alias = alias;
        _logger = logger;
    }

    public bool IsQueueReady(string queueName) => _queues.ContainsKey(queueName);

    public bool IsDelayReady => _delayReady;

    /// <summary>Declares the task queues (priority queues bound to their MassTransit exchange and to the delay topology's deliver exchange).</summary>
    public Task EnsureQueuesAsync(IEnumerable<string> queueNames, CancellationToken cancellationToken) =>
        RunAsync(async channel =>
        {
            // Pipelined (no-wait) declarations, then one awaited passive declaration: the broker handles a channel's
            // methods in order and closes the channel on the first failure, so its success confirms them all.
            await channel.ExchangeDeclareAsync(_topology.DeliverExchange, ExchangeType.Topic, durable: true, autoDelete: false, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            var declared = new List<string>();
            foreach (var name in queueNames)
            {
                if (_queues.ContainsKey(name) || declared.Contains(name))
                {
                    continue;
                }

                // The same entities MassTransit's receive endpoint declares (fanout exchange -> queue), with the same
                // x-max-priority, so whichever side comes first the other finds them equivalent.
                await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: PriorityQueueArguments(), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(name, name, "", noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(name, _topology.DeliverExchange, RabbitMqTopology.DeliverBindingKey(name), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                declared.Add(name);
            }

            if (declared.Count > 0)
            {
                await channel.QueueDeclarePassiveAsync(declared[^1], cancellationToken).ConfigureAwait(false);
            }

            foreach (var name in declared)
            {
                _queues[name] = true;
            }
        }, cancellationToken);

    /// <summary>Declares the delay levels (see <see cref="RabbitMqTopology"/>).</summary>
    public Task EnsureDelayTopologyAsync(CancellationToken cancellationToken) =>
        _delayReady ? Task.CompletedTask : RunAsync(async channel =>
        {
            if (_delayReady)
            {
                return;
            }

            await channel.ExchangeDeclareAsync(_topology.DeliverExchange, ExchangeType.Topic, durable: true, autoDelete: false, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var level = 0; level < RabbitMqTopology.DelayLevels; level++)
            {
                var name = _topology.DelayName(level);
                var next = level == 0 ? _topology.DeliverExchange : _topology.DelayName(level - 1);
                await channel.ExchangeDeclareAsync(name, ExchangeType.Topic, durable: true, autoDelete: false, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = RabbitMqTopology.LevelTtlMilliseconds(level),
                    ["x-dead-letter-exchange"] = next,
                }, noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(name, name, RabbitMqTopology.LevelBindingKey(level, '1'), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.ExchangeBindAsync(next, name, RabbitMqTopology.LevelBindingKey(level, '0'), noWait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await channel.QueueDeclarePassiveAsync(_topology.DelayName(RabbitMqTopology.DelayLevels - 1), cancellationToken).ConfigureAwait(false);

            _delayReady = true;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    internal static Dictionary<string, object?> PriorityQueueArguments() => new() { ["x-max-priority"] = (int)MassTransitPriority.MaxRabbitMqPriority };

    private async Task RunAsync(Func<IChannel, Task> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channel is not { IsOpen: true })
            {
                await CloseAsync().ConfigureAwait(false);
                _connection = await _factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await work(_channel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failed declaration closes the channel anyway; start afresh next time.
            MassTransitLog.AdminConnectionFailed(_logger, ex, _alias);
            await CloseAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAsync()
    {
        var (connection, channel) = (_connection, _channel);
        (_connection, _channel) = (null, null);
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Closing a broken connection can fail; it is gone either way.
        }
    }
}
