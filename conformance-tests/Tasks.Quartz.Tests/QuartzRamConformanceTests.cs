using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.Quartz.Tests;

public sealed class QuartzRamConformanceTests(QuartzRamFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<QuartzRamFixture>(fixture, output);
