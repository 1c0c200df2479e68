using System.Text;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>
/// Names of the RabbitMQ entities of one queue prefix, and the run-after (delay) topology, which needs no plugin:
/// <para>
/// <see cref="DelayLevels"/> levels; level <c>n</c> is a topic exchange <c>&lt;prefix&gt;.delay.n</c> and a queue of the same name whose
/// <c>x-message-ttl</c> is 2^n x <see cref="DelayUnit"/> and whose dead-letter exchange is level <c>n-1</c> (level 0's is
/// <c>&lt;prefix&gt;.delay.deliver</c>). A delayed message is published to the top level with a routing key that spells the delay in
/// units as bits, highest level first, followed by the target queue: <c>0.0.1. ... .1.&lt;prefix&gt;-&lt;queue&gt;</c>. At level n a
/// 1 bit routes it into the level's queue (it waits there exactly 2^n units, then is dead-lettered to level n-1), a 0 bit
/// routes it straight on to level n-1. The deliver exchange routes it by the queue name to the task queue.
/// </para>
/// <para>
/// Every message in one level queue has the same TTL, so the queue's head always expires first: no head-of-line blocking.
/// The delay is rounded up to whole units, so a task never arrives early; it arrives at most one unit plus the hop latency late.
/// Longer delays than one pass allows (about 38.8 days) arrive early and the consumer delays them again.
/// </para>
/// </summary>
internal sealed class RabbitMqTopology
{
    /// <summary>The delay resolution.</summary>
    public static readonly TimeSpan DelayUnit = TimeSpan.FromMilliseconds(100);

    /// <summary>Levels of the delay topology.</summary>
    public const int DelayLevels = 25;

    /// <summary>The longest delay of one pass, in units.</summary>
    public const long MaxDelayUnits = (1L << DelayLevels) - 1;

    /// <summary>Longest queue prefix accepted (keeps routing keys within RabbitMQ's 255 bytes).</summary>
    public const int MaxPrefixLength = 50;

    public RabbitMqTopology(string prefix)
    {
        Prefix = prefix;
        DeliverExchange = $"{prefix}.delay.deliver";
        EntryExchange = DelayName(DelayLevels - 1);
    }

    public string Prefix { get; }

    /// <summary>The exchange that hands expired delayed messages to their task queue.</summary>
    public string DeliverExchange { get; }

    /// <summary>The exchange delayed messages are published to (the top level).</summary>
    public string EntryExchange { get; }

    /// <summary>The MassTransit endpoint (queue and fanout exchange) of a Tasks queue.</summary>
    public string QueueName(string queue) => $"{Prefix}-{queue}";

    /// <summary>Exchange and queue of delay level <paramref name="level"/>.</summary>
    public string DelayName(int level) => $"{Prefix}.delay.{level}";

    /// <summary>Time to live of the queue of level <paramref name="level"/>, in milliseconds.</summary>
    public static long LevelTtlMilliseconds(int level) => (1L << level) * (long)DelayUnit.TotalMilliseconds;

    /// <summary>Whole units to wait for <paramref name="delay"/>, rounded up (so never early), at least 1, at most one pass.</summary>
    public static long DelayUnits(TimeSpan delay)
    {
        var units = (delay.Ticks + DelayUnit.Ticks - 1) / DelayUnit.Ticks;
        return Math.Clamp(units, 1, MaxDelayUnits);
    }

    /// <summary>The routing key of a message delayed by <paramref name="units"/> to <paramref name="queueName"/>.</summary>
    public static string DelayRoutingKey(long units, string queueName)
    {
        var key = new StringBuilder((DelayLevels * 2) + queueName.Length);
        for (var level = DelayLevels - 1; level >= 0; level--)
        {
            key.Append(((units >> level) & 1) == 1 ? '1' : '0').Append('.');
        }

        return key.Append(queueName).ToString();
    }

    /// <summary>The binding key that matches bit <paramref name="bit"/> at <paramref name="level"/>.</summary>
    public static string LevelBindingKey(int level, char bit) => string.Concat(Enumerable.Repeat("*.", DelayLevels - 1 - level)) + bit + ".#";

    /// <summary>The binding key from the deliver exchange to <paramref name="queueName"/>: exactly the level words, then the name.</summary>
    public static string DeliverBindingKey(string queueName) => string.Concat(Enumerable.Repeat("*.", DelayLevels)) + queueName;
}
