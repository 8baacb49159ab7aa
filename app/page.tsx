import Link from "next/link";

export default function HomePage() {
  return (
    <main className="mx-auto max-w-3xl px-4 py-16">
      <h1 className="mb-4 text-3xl font-semibold">Colorization Turing Test</h1>
      <p className="mb-6 text-lg text-neutral-700">
        How often do people mistake a machine&apos;s colorization for a real colour photo? Run the paired
        real-vs-fake test of Zhang, Isola and Efros (ECCV 2016) with raters from Prolific, MTurk or a plain
        link, and read fool rates with honest error bars.
      </p>
      <div className="flex gap-4">
        <Link href="/sign-in" className="rounded bg-neutral-900 px-4 py-2 text-white">Researcher sign-in</Link>
      </div>
    </main>
  );
}
