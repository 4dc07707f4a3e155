using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ComfyUI.Client.Benchmarks.DataFiles).Assembly).Run(args);
