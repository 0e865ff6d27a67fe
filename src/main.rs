fn main() {
    println!("nest {}", nest::VERSION);
}
