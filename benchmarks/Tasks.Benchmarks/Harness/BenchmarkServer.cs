namespace Tasks.Benchmarks.Harness;

/// <summary>A server a row needs; the harness reads its address from the same variable the tests use.</summary>
public enum BenchmarkServer
{
    /// <summary>Redis, <c>TASKS_TEST_REDIS</c> (host:port).</summary>
    Redis,

    /// <summary>PostgreSQL, <c>TASKS_TEST_POSTGRES</c> (Npgsql connection string).</summary>
    Postgres,

    /// <summary>RabbitMQ, <c>TASKS_TEST_RABBITMQ</c> (amqp:// URI).</summary>
    RabbitMq,
}
