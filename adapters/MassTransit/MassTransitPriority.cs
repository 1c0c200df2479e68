namespace Tasks.MassTransit;

/// <summary>
/// How Tasks priorities (-100..100) map onto RabbitMQ message priorities. Each task queue is a RabbitMQ priority queue
/// with <c>x-max-priority</c> = <see cref="MaxRabbitMqPriority"/> (RabbitMQ advises few levels: each costs memory and CPU),
/// so the Tasks scale is cut into 11 bands, finer near 0 where most priorities are:
/// <code>
///   Tasks priority   RabbitMQ     Tasks priority   RabbitMQ
///     65 .. 100        10           -1 ..  -4        4
///     35 ..  64         9           -5 .. -14        3
///     15 ..  34         8          -15 .. -34        2
///      5 ..  14         7          -35 .. -64        1
///      1 ..   4         6         -100 .. -65        0
///      0                5
/// </code>
/// Between bands the order is exact (highest first); inside one band tasks run first in, first out, whatever their
/// exact priorities (e.g. 70 and 100 share band 10).
/// </summary>
public static class MassTransitPriority
{
    /// <summary>The <c>x-max-priority</c> of every task queue.</summary>
    public const byte MaxRabbitMqPriority = 10;

    /// <summary>The RabbitMQ priority (0..10) of a Tasks priority (-100..100; values outside are clamped).</summary>
    public static byte ToRabbitMq(int priority) => priority switch
    {
        >= 65 => 10,
        >= 35 => 9,
        >= 15 => 8,
        >= 5 => 7,
        >= 1 => 6,
        0 => 5,
        >= -4 => 4,
        >= -14 => 3,
        >= -34 => 2,
        >= -64 => 1,
        _ => 0,
    };
}
