using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The server state of <see cref="MassTransitRow"/>, all named after the run id: the Tasks side's queue prefix (its task queue
/// and delay topology on RabbitMQ) and results schema (PostgreSQL), and the native side's queue. Purged by every reset,
/// deleted when the harness is done with the side.
/// </summary>
public static class MassTransitBenchEntities
{
    /// <summary>Delay levels of the adapter's topology (<c>&lt;prefix&gt;.delay.0</c> … <c>.24</c>), declared by every Tasks worker.</summary>
    private const int DelayLevels = 25;

    /// <summary>The Tasks side's queue prefix: its task queue is <c>&lt;prefix&gt;-bench</c>.</summary>
    public static string TasksPrefix(SideContext context) => $"{context.RunId}-tasks";

    /// <summary>The Tasks side's results schema.</summary>
    public static string TasksSchema(SideContext context) => $"{context.RunId.Replace('-', '_')}_mt";

    /// <summary>The native side's receive endpoint (queue and exchange of the same name).</summary>
    public static string NativeQueue(SideContext context) => $"{context.RunId}-native-bench";

    /// <summary>Queues of the Tasks side: the task queue, MassTransit's error/skipped queues of it, the delay levels.</summary>
    public static IEnumerable<string> TasksQueues(SideContext context)
    {
        var prefix = TasksPrefix(context);
        return EndpointQueues($"{prefix}-{TasksSide.Queue}").Concat(Enumerable.Range(0, DelayLevels).Select(l => $"{prefix}.delay.{l}"));
    }

    /// <summary>Exchanges of the Tasks side: one per queue, plus the delay topology's deliver exchange.</summary>
    public static IEnumerable<string> TasksExchanges(SideContext context) => TasksQueues(context).Append($"{TasksPrefix(context)}.delay.deliver");

    /// <summary>A MassTransit receive endpoint's queue with its error and skipped queues (each also an exchange).</summary>
    public static IEnumerable<string> EndpointQueues(string queue) => [queue, queue + "_error", queue + "_skipped"];

    /// <summary>Opens a RabbitMQ.Client connection; the start hint if RabbitMQ does not answer.</summary>
    /// <exception cref="BenchmarkSetupException">RabbitMQ cannot be reached.</exception>
    public static async Task<IConnection> ConnectAsync(SideContext context, CancellationToken cancellationToken)
    {
        var uri = context.Servers.RequireRabbitMq();
        try
        {
            return await new ConnectionFactory { Uri = new Uri(uri), RequestedConnectionTimeout = TimeSpan.FromSeconds(5) }.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            throw new BenchmarkSetupException($"RabbitMQ (TASKS_TEST_RABBITMQ) cannot be reached: {ex.Message}. {BenchmarkServers.StartHint}");
        }
    }

    /// <summary>Empties <paramref name="queues"/> (those not declared yet are skipped).</summary>
    public static async Task PurgeAsync(SideContext context, IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(context, cancellationToken).ConfigureAwait(false);
        foreach (var queue in queues)
        {
            // A fresh channel each time: touching a queue that does not exist closes the channel.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                await channel.QueuePurgeAsync(queue, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationInterruptedException)
            {
                // Not declared (yet).
            }
        }
    }

    /// <summary>Deletes <paramref name="queues"/> and <paramref name="exchanges"/> (missing ones are fine).</summary>
    public static async Task DeleteAsync(SideContext context, IEnumerable<string> queues, IEnumerable<string> exchanges, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(context, cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var queue in queues)
        {
            await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        foreach (var exchange in exchanges)
        {
            await channel.ExchangeDeleteAsync(exchange, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Empties the results table of <paramref name="schema"/>, if it exists yet.</summary>
    public static Task TruncateResultsAsync(SideContext context, string schema, CancellationToken cancellationToken) => BenchPostgres.ExecuteAsync(context, $"""
        DO $$ BEGIN
          IF to_regclass('"{schema}".task_results') IS NOT NULL THEN TRUNCATE TABLE "{schema}".task_results; END IF;
        END $$;
        """, cancellationToken);
}
