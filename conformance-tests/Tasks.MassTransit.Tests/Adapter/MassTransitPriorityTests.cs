namespace Tasks.MassTransit.Tests;

public sealed class MassTransitPriorityTests
{
    [Theory]
    [InlineData(100, 10)]
    [InlineData(65, 10)]
    [InlineData(64, 9)]
    [InlineData(50, 9)]
    [InlineData(35, 9)]
    [InlineData(34, 8)]
    [InlineData(15, 8)]
    [InlineData(14, 7)]
    [InlineData(10, 7)]
    [InlineData(5, 7)]
    [InlineData(4, 6)]
    [InlineData(1, 6)]
    [InlineData(0, 5)]
    [InlineData(-1, 4)]
    [InlineData(-4, 4)]
    [InlineData(-5, 3)]
    [InlineData(-14, 3)]
    [InlineData(-15, 2)]
    [InlineData(-34, 2)]
    [InlineData(-35, 1)]
    [InlineData(-50, 1)]
    [InlineData(-64, 1)]
    [InlineData(-65, 0)]
    [InlineData(-100, 0)]
    public void Bands_are_as_documented(int priority, byte expected) => Assert.Equal(expected, MassTransitPriority.ToRabbitMq(priority));

    [Fact]
    public void Mapping_keeps_order_and_fits_the_queue()
    {
        for (var p = TaskPriority.Min; p < TaskPriority.Max; p++)
        {
            Assert.True(MassTransitPriority.ToRabbitMq(p) <= MassTransitPriority.ToRabbitMq(p + 1), $"{p} maps above {p + 1}");
        }

        Assert.Equal(0, MassTransitPriority.ToRabbitMq(TaskPriority.Min));
        Assert.Equal(MassTransitPriority.MaxRabbitMqPriority, MassTransitPriority.ToRabbitMq(TaskPriority.Max));
        Assert.Equal(0, MassTransitPriority.ToRabbitMq(-1000));
        Assert.Equal(MassTransitPriority.MaxRabbitMqPriority, MassTransitPriority.ToRabbitMq(1000));
    }

    [Fact]
    public void The_priorities_the_suite_orders_land_in_distinct_bands()
    {
        int[] suite = [100, 50, 10, 0, -5, -50, -100];
        Assert.Equal(suite.Length, suite.Select(MassTransitPriority.ToRabbitMq).Distinct().Count());
    }
}
