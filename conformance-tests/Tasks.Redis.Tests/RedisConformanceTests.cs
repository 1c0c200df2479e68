using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.Redis.Tests;

public sealed class RedisConformanceTests(RedisFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<RedisFixture>(fixture, output);
