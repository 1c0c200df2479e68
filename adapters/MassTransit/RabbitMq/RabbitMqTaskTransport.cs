using System.Collections.Concurrent;
using global::MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Execution;
using Tasks.Workers;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>
/// The RabbitMQ side of a backend: a dedicated MassTransit bus that only sends (so an application's own MassTransit bus is
/// never touched), the topology connection, and workers that each run their own bus with one receive endpoint per queue.
/// </summary>
internal sealed class RabbitMqTaskTransport : ITaskTransport
{
    /// <summary>
    /// Sends in flight at once per backend. RabbitMQ.Client 7 refuses more than 128 unconfirmed publishes on a channel, and
    /// sends of one call must start in order (MassTransit publishes them in the order they start) to keep FIFO.
    /// </summary>
    internal const int MaxInFlight = 100;

    private readonly string _alias;
    private readonly MassTransitTaskBackendOptions _options;
    private readonly RabbitMqConnectionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly SemaphoreSlim _busGate = new(1, 1);
    private readonly SemaphoreSlim _acquireGate = new(1, 1);
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private readonly ConcurrentDictionary<string, ISendEndpoint> _endpoints = new(StringComparer.Ordinal);
    private IBusControl? _bus;

    public RabbitMqTaskTransport(string alias, MassTransitTaskBackendOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _alias = alias;
        _options = options;
        _settings = RabbitMqConnectionSettings.From(options, alias);
        _time = time;
        _loggers = loggers;
        Topology = new RabbitMqTopology(options.QueuePrefix);
        Admin = new RabbitMqAdmin(_settings, Topology, alias, options.ConnectTimeout, loggers.CreateLogger("Tasks.MassTransit"));
    }

    public TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background;

    public RabbitMqTopology Topology { get; }

    public RabbitMqAdmin Admin { get; }

    public RabbitMqConnectionSettings Settings => _settings;

    public MassTransitTaskBackendOptions Options => _options;

    public async Task SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken)
    {
        if (envelopes.Count == 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            await EnsureTopologyAsync(envelopes, _time.GetUtcNow(), timeout.Token).ConfigureAwait(false);
            var bus = await GetBusAsync(timeout.Token).ConfigureAwait(false);

            // Delays count from here, after any first-use declarations and connecting, so those never make a task late.
            var now = _time.GetUtcNow();

            // Resolve every endpoint first: inside a chunk nothing may await before its send starts, or the order breaks.
            var endpointOf = new string[envelopes.Count];
            for (var i = 0; i < envelopes.Count; i++)
            {
                var delayed = envelopes[i].RunAfter > now;
                endpointOf[i] = delayed ? Topology.EntryExchange : Topology.QueueName(envelopes[i].Queue);
                await GetEndpointAsync(bus, endpointOf[i], delayed).ConfigureAwait(false);
            }

            await SendInOrderAsync(envelopes, endpointOf, now, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && RabbitMqErrors.IsUnavailable(ex))
        {
            throw new TaskBackendUnavailableException(_alias, $"enqueue of {envelopes.Count} task(s) to RabbitMQ at {_settings}", ex);
        }
    }

    public async Task ConnectAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            var names = queues.Select(Topology.QueueName).Distinct(StringComparer.Ordinal).ToArray();
            var missing = names.Where(n => !Admin.IsQueueReady(n)).ToArray();
            if (missing.Length > 0)
            {
                await Admin.EnsureQueuesAsync(missing, cancellationToken).ConfigureAwait(false);
            }

            var bus = await GetBusAsync(cancellationToken).ConfigureAwait(false);
            foreach (var name in names)
            {
                await GetEndpointAsync(bus, name, topic: false).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && RabbitMqErrors.IsUnavailable(ex))
        {
            throw new TaskBackendUnavailableException(_alias, $"connecting to RabbitMQ at {_settings}", ex);
        }
    }

    public ITaskWorker CreateWorker(MassTransitTaskBackend backend, TaskWorkerOptions options, IServiceProvider services)
    {
        var executor = services.GetRequiredService<TaskExecutor>();
        var loggers = services.GetService<ILoggerFactory>() ?? _loggers;
        var context = new TaskExecutionContext(backend.Alias, options.WorkerId ?? WorkerIds.Create(), backend.Results);
        return new RabbitMqTaskWorker(backend, this, executor, context, options, loggers.CreateLogger("Tasks.MassTransit"), _time);
    }

    /// <summary>A bus with this backend's host settings; <paramref name="configure"/> adds receive endpoints (workers).</summary>
    internal IBusControl CreateBus(string connectionName, Action<IRabbitMqBusFactoryConfigurator>? configure = null) =>
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(_settings.Host, (ushort)_settings.Port, _settings.VirtualHost, connectionName, h =>
            {
                h.Username(_settings.Username);
                h.Password(_settings.Password);
                h.PublisherConfirmation = true;
                h.RequestedConnectionTimeout(_options.ConnectTimeout);
                if (_options.Heartbeat is { } heartbeat)
                {
                    h.Heartbeat(heartbeat);
                }
                if (_settings.UseTls)
                {
                    h.UseSsl(s => s.ServerName = _settings.Host);
                }
            });
            configure?.Invoke(cfg);
        });

    /// <summary>Starts <paramref name="bus"/>, waiting at most <see cref="MassTransitTaskBackendOptions.ConnectTimeout"/> for RabbitMQ.</summary>
    internal async Task StartBusAsync(IBusControl bus, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await bus.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            try
            {
                await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // It never started; the start error is the one to report.
            }

            if (!cancellationToken.IsCancellationRequested && RabbitMqErrors.IsUnavailable(ex))
            {
                throw new TaskBackendUnavailableException(_alias, $"{operation} (RabbitMQ at {_settings})", ex);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is { } bus)
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await Admin.DisposeAsync().ConfigureAwait(false);
        _busGate.Dispose();
        _acquireGate.Dispose();
        _inFlight.Dispose();
    }

    private async Task EnsureTopologyAsync(IReadOnlyList<TaskEnvelope> envelopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<string>? missing = null;
        var delayed = false;
        foreach (var e in envelopes)
        {
            var name = Topology.QueueName(e.Queue);
            if (!Admin.IsQueueReady(name) && (missing ??= []).Contains(name) == false)
            {
                missing.Add(name);
            }

            delayed |= e.RunAfter > now;
        }

        if (missing is not null)
        {
            await Admin.EnsureQueuesAsync(missing, cancellationToken).ConfigureAwait(false);
        }

        if (delayed && !Admin.IsDelayReady)
        {
            await Admin.EnsureDelayTopologyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<IBusControl> GetBusAsync(CancellationToken cancellationToken)
    {
        if (_bus is { } started)
        {
            return started;
        }

        await _busGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_bus is null)
            {
                var bus = CreateBus($"tasks-sender {_alias}");
                await StartBusAsync(bus, "connecting the sender", cancellationToken).ConfigureAwait(false);
                _bus = bus;
            }

            return _bus;
        }
        finally
        {
            _busGate.Release();
        }
    }

    private async ValueTask<ISendEndpoint> GetEndpointAsync(IBusControl bus, string exchange, bool topic)
    {
        if (_endpoints.TryGetValue(exchange, out var endpoint))
        {
            return endpoint;
        }

        endpoint = await bus.GetSendEndpoint(new Uri(topic ? $"exchange:{exchange}?type=topic" : $"exchange:{exchange}")).ConfigureAwait(false);
        return _endpoints.GetOrAdd(exchange, endpoint);
    }

    /// <summary>
    /// Sends with up to <see cref="MaxInFlight"/> confirms outstanding, yet in order per endpoint. MassTransit publishes sends
    /// in the order they start only once the endpoint's channel is ready (sends that wait for a channel resume in any order),
    /// so the first message of each endpoint goes alone and the rest follow pipelined.
    /// </summary>
    private async Task SendInOrderAsync(IReadOnlyList<TaskEnvelope> envelopes, string[] endpointOf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<int>? rest = null;
        if (envelopes.Count > 1)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            rest = new List<int>(envelopes.Count);
            for (var i = 0; i < envelopes.Count; i++)
            {
                if (seen.Add(endpointOf[i]) && endpointOf.Skip(i + 1).Contains(endpointOf[i]))
                {
                    await AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                    await SendOneAsync(envelopes[i], now, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    rest.Add(i);
                }
            }
        }

        var count = rest?.Count ?? envelopes.Count;
        for (var start = 0; start < count; start += MaxInFlight)
        {
            var chunk = Math.Min(MaxInFlight, count - start);
            await AcquireAsync(chunk, cancellationToken).ConfigureAwait(false);
            var sends = new Task[chunk];
            for (var i = 0; i < chunk; i++)
            {
                sends[i] = SendOneAsync(envelopes[rest?[start + i] ?? start + i], now, cancellationToken);
            }

            await Task.WhenAll(sends).ConfigureAwait(false);
        }
    }

    private async Task AcquireAsync(int count, CancellationToken cancellationToken)
    {
        // One caller at a time takes its whole chunk, so concurrent callers cannot each hold part and wait for ever.
        await _acquireGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var taken = 0;
        try
        {
            for (; taken < count; taken++)
            {
                await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (taken > 0)
            {
                _inFlight.Release(taken);
            }

            throw;
        }
        finally
        {
            _acquireGate.Release();
        }
    }

    private async Task SendOneAsync(TaskEnvelope envelope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var message = TaskEnvelopeMessage.From(envelope);
            var priority = MassTransitPriority.ToRabbitMq(envelope.Priority);
            var queue = Topology.QueueName(envelope.Queue);
            if (envelope.RunAfter is { } due && due > now)
            {
                var key = RabbitMqTopology.DelayRoutingKey(RabbitMqTopology.DelayUnits(due - now), queue);
                await _endpoints[Topology.EntryExchange].Send(message, new TaskSendPipe(priority, key, null), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _endpoints[queue].Send(message, new TaskSendPipe(priority, null, null), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
